package main

import (
	"bytes"
	"errors"
	"strconv"
	"syscall"
)

// rawConn is a blocking TCP socket to 127.0.0.1 (never anywhere else).
type rawConn struct {
	fd      int
	err     error
	port    int
	closing bool
}

func newConn(port int) *rawConn {
	c := &rawConn{fd: -1, port: port}
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		c.err = err
		return c
	}
	syscall.SetsockoptInt(fd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1)
	if err := syscall.Connect(fd, &syscall.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		syscall.Close(fd)
		c.err = err
		return c
	}
	c.fd = fd
	return c
}

func (c *rawConn) close() {
	if c.fd >= 0 {
		syscall.Close(c.fd)
		c.fd = -1
	}
}

var errClosed = errors.New("connection closed by server")

// roundTrip writes one request and reads one whole response (Content-Length
// or chunked). A response without either would be close-delimited: refused.
func (c *rawConn) roundTrip(req, buf []byte) error {
	if c.fd < 0 {
		return c.err
	}
	for off := 0; off < len(req); {
		n, err := syscall.Write(c.fd, req[off:])
		if err != nil {
			return err
		}
		off += n
	}
	have := 0
	headEnd := -1
	for headEnd < 0 {
		if have == len(buf) {
			return errors.New("response head too large")
		}
		n, err := readSome(c.fd, buf[have:])
		if err != nil {
			return err
		}
		have += n
		headEnd = bytes.Index(buf[:have], []byte("\r\n\r\n"))
	}
	head := buf[:headEnd]
	bodyStart := headEnd + 4
	if !bytes.HasPrefix(head, []byte("HTTP/1.")) {
		return errors.New("not an HTTP/1.x response")
	}
	if v, ok := header(head, "connection"); ok && bytes.EqualFold(v, []byte("close")) {
		c.closing = true // the server ends the connection after this response
	}
	if cl, ok := header(head, "content-length"); ok {
		length, err := strconv.Atoi(string(cl))
		if err != nil {
			return errors.New("bad content-length")
		}
		return c.discard(buf, have-bodyStart, length)
	}
	if te, ok := header(head, "transfer-encoding"); ok && bytes.Contains(bytes.ToLower(te), []byte("chunked")) {
		return c.readChunked(buf, bodyStart, have)
	}
	return errors.New("response has neither content-length nor chunked framing")
}

// discard reads until `want` body bytes have been seen (`got` already are).
func (c *rawConn) discard(buf []byte, got, want int) error {
	for got < want {
		n, err := readSome(c.fd, buf)
		if err != nil {
			return err
		}
		got += n
	}
	if got > want {
		return errors.New("more bytes than the response (pipelining is not used)")
	}
	return nil
}

// readChunked reads until the terminating 0-size chunk and its empty trailer.
func (c *rawConn) readChunked(buf []byte, start, have int) error {
	data := append([]byte(nil), buf[start:have]...)
	for {
		if done, err := chunkedComplete(data); err != nil || done {
			return err
		}
		n, err := readSome(c.fd, buf)
		if err != nil {
			return err
		}
		data = append(data, buf[:n]...)
	}
}

func chunkedComplete(b []byte) (bool, error) {
	for {
		eol := bytes.Index(b, []byte("\r\n"))
		if eol < 0 {
			return false, nil
		}
		sizeField := b[:eol]
		if i := bytes.IndexByte(sizeField, ';'); i >= 0 {
			sizeField = sizeField[:i]
		}
		size, err := strconv.ParseInt(string(bytes.TrimSpace(sizeField)), 16, 64)
		if err != nil {
			return false, errors.New("bad chunk size")
		}
		if size == 0 {
			// The last chunk: complete once its (possibly empty) trailer section has ended.
			return bytes.Contains(b[eol:], []byte("\r\n\r\n")), nil
		}
		next := eol + 2 + int(size) + 2
		if len(b) < next {
			return false, nil
		}
		b = b[next:]
	}
}

func readSome(fd int, b []byte) (int, error) {
	for {
		n, err := syscall.Read(fd, b)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return 0, err
		}
		if n == 0 {
			return 0, errClosed
		}
		return n, nil
	}
}

// header finds a header's value in a response head (case-insensitive name).
func header(head []byte, name string) ([]byte, bool) {
	for _, line := range bytes.Split(head, []byte("\r\n"))[1:] {
		colon := bytes.IndexByte(line, ':')
		if colon < 0 {
			continue
		}
		if string(bytes.ToLower(bytes.TrimSpace(line[:colon]))) == name {
			return bytes.TrimSpace(line[colon+1:]), true
		}
	}
	return nil, false
}
