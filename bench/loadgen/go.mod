module kspan.local/bench/loadgen

go 1.22
