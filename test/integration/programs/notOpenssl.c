/* Mentions "SSL_write" (so kspan's quick scan considers it) but has no
 * OpenSSL: kspan must skip it with a logged reason and keep tracing. */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	static const char decoy[] = "x\0SSL_write\0SSL_read";
	printf("started %zu\n", sizeof(decoy));
	fflush(stdout);
	sleep(5);
	return 0;
}
