package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// daemonReadyWait bounds how long a --daemon parent waits for the mount.
const daemonReadyWait = 3 * time.Minute

// readyMessage is what a daemon child writes on its ready pipe once the
// mount answers; anything else is its error.
const readyMessage = "ready"

// daemonize runs this command line again in a new session, in the
// foreground, logging to the log file (--log-file, else defaultLogFile),
// and returns once the child reports the mount ready, or with the child's
// error, which the child also logs (docs/service.md).
func daemonize(dir, logFile string) error {
	if logFile == "" {
		logFile = defaultLogFile()
	}
	logFile, err := filepath.Abs(logFile)
	if err != nil {
		return fmt.Errorf("--log-file: %w", err)
	}
	logf, err := openLogFile(logFile)
	if err != nil {
		return err
	}
	defer logf.Close()
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("daemon: %w", err)
	}
	defer devnull.Close()
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("daemon: %w", err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("daemon: %w", err)
	}
	defer r.Close()
	fmt.Fprintf(os.Stderr, "compsfs: logging to %s\n", logFile)
	cmd := exec.Command(self, childArgs(os.Args[1:], "--foreground", "--ready-fd=3", "--log-file="+logFile)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = devnull, devnull, logf
	cmd.ExtraFiles = []*os.File{w} // fd 3 in the child
	err = cmd.Start()
	w.Close()
	if err != nil {
		return fmt.Errorf("daemon: %w", err)
	}
	_ = r.SetReadDeadline(time.Now().Add(daemonReadyWait))
	report, err := io.ReadAll(r)
	switch msg := strings.TrimSpace(string(report)); {
	case msg == readyMessage:
		fmt.Fprintf(os.Stderr, "compsfs: mounted on %s (pid %d)\n", dir, cmd.Process.Pid)
		return cmd.Process.Release()
	case msg != "":
		_ = cmd.Wait()
		return errors.New(msg)
	case err != nil:
		return fmt.Errorf("the mount was not ready after %v; see %s", daemonReadyWait, logFile)
	}
	return fmt.Errorf("the mount process ended before it was ready (%v); see %s", cmd.Wait(), logFile)
}

// childArgs is args with extra flags added, before a "--" if there is one.
func childArgs(args []string, extra ...string) []string {
	i := slices.Index(args, "--")
	if i < 0 {
		i = len(args)
	}
	return slices.Concat(args[:i], extra, args[i:])
}

// daemonParent is the pipe of a daemon child to its parent, nil in a
// process that is no daemon child.
type daemonParent struct{ f *os.File }

// openDaemonParent takes the ready pipe fd given by --ready-fd, closed on
// exec so that no command started later keeps it open.
func openDaemonParent(fd int) *daemonParent {
	if fd <= 0 {
		return nil
	}
	syscall.CloseOnExec(fd)
	return &daemonParent{os.NewFile(uintptr(fd), "ready-pipe")}
}

// report tells the parent the mount is ready (err nil) or why it failed,
// and closes the pipe.
func (p *daemonParent) report(err error) {
	if p == nil || p.f == nil {
		return
	}
	msg := readyMessage
	if err != nil {
		msg = err.Error()
	}
	_, _ = io.WriteString(p.f, msg+"\n")
	p.f.Close()
	p.f = nil
}
