package main

import (
	"syscall"
	"unsafe"
)

const (
	clockMonotonic  = 1
	timerAbstime    = 1
	prSetTimerslack = 29
)

func monoNow() int64 {
	var ts syscall.Timespec
	syscall.RawSyscall(syscall.SYS_CLOCK_GETTIME, clockMonotonic, uintptr(unsafe.Pointer(&ts)), 0)
	return ts.Nano()
}

// sleepUntil sleeps to an absolute CLOCK_MONOTONIC time; returns at once if it has passed.
func sleepUntil(t int64) {
	ts := syscall.NsecToTimespec(t)
	for {
		_, _, e := syscall.Syscall6(syscall.SYS_CLOCK_NANOSLEEP, clockMonotonic, timerAbstime, uintptr(unsafe.Pointer(&ts)), 0, 0, 0)
		if e != syscall.EINTR {
			return
		}
	}
}

func setTimerSlack(ns uintptr) {
	syscall.RawSyscall(syscall.SYS_PRCTL, prSetTimerslack, ns, 0)
}
