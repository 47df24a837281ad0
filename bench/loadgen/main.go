// Command loadgen is an open-loop HTTP/1.1 load generator (the wrk2 model):
// requests are scheduled on a fixed timeline and each latency is measured from
// the request's *intended* send time, so a stall in the server shows up in the
// latency of every request it delayed (no coordinated omission).
//
// Each connection is one goroutine locked to its own OS thread, issuing
// blocking syscalls on a raw keep-alive socket and sleeping with an absolute
// clock_nanosleep (1 ns timer slack): Go's timers and netpoller add tens to
// hundreds of µs of jitter, more than the differences this tool must resolve.
//
// Connection c of N sends request k at start + (k*N + c)/rate, so the whole
// schedule is evenly spaced at 1/rate. Output: one JSON object on stdout.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sort"
	"sync"
)

type result struct {
	Rate         float64            `json:"rate"`
	Conns        int                `json:"conns"`
	DurationSec  float64            `json:"durationSec"`
	WarmupSec    float64            `json:"warmupSec"`
	Completed    int                `json:"completed"`
	CompletedAll int                `json:"completedIncludingWarmup"`
	Errors       int                `json:"errors"`
	Reconnects   int                `json:"reconnects"`
	AchievedRate float64            `json:"achievedRate"`
	LatencyUs    map[string]float64 `json:"latencyUs"`
	ServiceUs    map[string]float64 `json:"serviceUs"`
	SendLagUs    map[string]float64 `json:"sendLagUs"`
	FirstError   string             `json:"firstError,omitempty"`
}

type connStats struct {
	latency, service, lag []int64
	completed, all        int
	errors, reconnects    int
	firstErr              string
	lastDone              int64 // monotonic ns of the last measured completion
}

func main() {
	port := flag.Int("port", 0, "server port on 127.0.0.1")
	path := flag.String("path", "/", "request path")
	rate := flag.Float64("rate", 1000, "requests per second, all connections together")
	conns := flag.Int("conns", 16, "keep-alive connections")
	duration := flag.Float64("duration", 10, "measured seconds")
	warmup := flag.Float64("warmup", 1, "seconds sent but not measured, before the measured window")
	flag.Parse()
	if *port <= 0 || *rate <= 0 || *conns <= 0 {
		fmt.Fprintln(os.Stderr, "usage: loadgen -port P [-path /] [-rate R] [-conns N] [-duration S] [-warmup S]")
		os.Exit(2)
	}
	req := []byte(fmt.Sprintf("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUser-Agent: kspan-bench-loadgen\r\n\r\n", *path, *port))
	interval := 1e9 / *rate
	warmNs := int64(*warmup * 1e9)
	endNs := int64((*warmup + *duration) * 1e9)
	start := monoNow() + 20_000_000 // let every thread connect first

	stats := make([]*connStats, *conns)
	var wg sync.WaitGroup
	for c := 0; c < *conns; c++ {
		st := &connStats{}
		stats[c] = st
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			runConn(st, *port, req, start, interval, c, *conns, warmNs, endNs)
		}(c)
	}
	wg.Wait()

	var all connStats
	lastDone := int64(0)
	for _, s := range stats {
		if s.lastDone > lastDone {
			lastDone = s.lastDone
		}
		all.latency = append(all.latency, s.latency...)
		all.service = append(all.service, s.service...)
		all.lag = append(all.lag, s.lag...)
		all.completed += s.completed
		all.all += s.all
		all.errors += s.errors
		all.reconnects += s.reconnects
		if all.firstErr == "" {
			all.firstErr = s.firstErr
		}
	}
	out := result{
		Rate: *rate, Conns: *conns, DurationSec: *duration, WarmupSec: *warmup,
		Completed: all.completed, CompletedAll: all.all, Errors: all.errors, Reconnects: all.reconnects,
		AchievedRate: achieved(all.completed, *duration, float64(lastDone-(start+warmNs))/1e9),
		LatencyUs:    summary(all.latency), ServiceUs: summary(all.service), SendLagUs: summary(all.lag),
		FirstError: all.firstErr,
	}
	json.NewEncoder(os.Stdout).Encode(out)
}

// achieved is the completion rate over the measured window, stretched to the
// last completion when the server (or this generator) fell behind schedule.
func achieved(completed int, window, toLastDone float64) float64 {
	if toLastDone > window {
		window = toLastDone
	}
	return float64(completed) / window
}

func runConn(st *connStats, port int, req []byte, start int64, interval float64, c, n int, warmNs, endNs int64) {
	runtime.LockOSThread() // this thread sleeps and blocks for this connection only
	setTimerSlack(1)
	conn := newConn(port)
	defer conn.close()
	buf := make([]byte, 64*1024)
	for k := 0; ; k++ {
		intended := start + int64(float64(k*n+c)*interval)
		if intended-start >= endNs {
			return
		}
		sleepUntil(intended)
		sent := monoNow()
		err := conn.roundTrip(req, buf)
		done := monoNow()
		if err != nil {
			st.errors++
			if st.firstErr == "" {
				st.firstErr = err.Error()
			}
			conn.close()
			conn = newConn(port)
			st.reconnects++
			continue
		}
		if conn.closing {
			conn.close()
			conn = newConn(port)
			st.reconnects++
		}
		st.all++
		if intended-start < warmNs {
			continue
		}
		st.completed++
		st.lastDone = done
		st.latency = append(st.latency, done-intended)
		st.service = append(st.service, done-sent)
		st.lag = append(st.lag, sent-intended)
	}
}

var quantiles = []struct {
	name string
	q    float64
}{{"p50", 0.50}, {"p90", 0.90}, {"p99", 0.99}, {"p999", 0.999}}

func summary(ns []int64) map[string]float64 {
	out := map[string]float64{}
	if len(ns) == 0 {
		return out
	}
	sort.Slice(ns, func(a, b int) bool { return ns[a] < ns[b] })
	for _, q := range quantiles {
		i := int(q.q*float64(len(ns))+0.5) - 1 // nearest-rank
		if i < 0 {
			i = 0
		}
		if i >= len(ns) {
			i = len(ns) - 1
		}
		out[q.name] = float64(ns[i]) / 1e3
	}
	out["max"] = float64(ns[len(ns)-1]) / 1e3
	var sum float64
	for _, v := range ns {
		sum += float64(v)
	}
	out["mean"] = sum / float64(len(ns)) / 1e3
	return out
}
