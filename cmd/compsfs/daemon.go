package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"time"
)

// daemonReadyWait bounds how long --daemon waits for the mount to be ready.
const daemonReadyWait = 2 * time.Minute

// daemonize runs this mount again without --daemon in a new session, its
// output to the log file (or nowhere), and returns once the mount answers,
// or with the child's failure.
func daemonize(args []string, dir string) error {
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("daemon: %w", err)
	}
	childArgs := append([]string{"mount"}, slices.DeleteFunc(slices.Clone(args), func(a string) bool {
		return a == "--daemon" || a == "-daemon" || a == "--daemon=true" || a == "-daemon=true"
	})...)
	cmd := exec.Command(self, childArgs...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("daemon: %w", err)
	}
	defer devnull.Close()
	cmd.Stdin, cmd.Stdout, cmd.Stderr = devnull, devnull, devnull
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("daemon: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.After(daemonReadyWait)
	for {
		if _, err := os.Stat(filepath.Join(dir, ".stats")); err == nil {
			fmt.Fprintf(os.Stderr, "compsfs: mounted on %s (pid %d)\n", dir, cmd.Process.Pid)
			return nil
		}
		select {
		case err := <-exited:
			return fmt.Errorf("daemon: the mount exited before it was ready (%v); run without --daemon to see why", err)
		case <-deadline:
			return fmt.Errorf("daemon: the mount was not ready after %v", daemonReadyWait)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
