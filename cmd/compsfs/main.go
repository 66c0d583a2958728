// Command compsfs mounts COMPS as a folder tree (docs/cli.md): compsfs
// mount, serve, login, unmount, status, version, completion and help, and
// the mount-helper form compsfs SERVER MOUNTPOINT -o OPTIONS that fstab and
// mount -t fuse.compsfs use (docs/service.md). This package only parses the
// command line and the config file, handles signals and wires the packages.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// run executes one command line and returns the exit status: 0, 1 when the
// command failed, 2 for a mistake in the command line.
func run(args []string, stdout, stderr io.Writer) int {
	root := newRootCommand()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteC()
	if err == nil {
		return 0
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "%s: %v\nsee '%s --help'\n", cmd.CommandPath(), ue.err, cmd.CommandPath())
		return 2
	}
	fmt.Fprintln(stderr, "compsfs:", err)
	return 1
}

// usageError is a mistake in the command line: run prints it in one line
// with a pointer to the command's --help and exits 2.
type usageError struct{ err error }

// Error is the mistake.
func (e *usageError) Error() string { return e.err.Error() }

// Unwrap gives the mistake.
func (e *usageError) Unwrap() error { return e.err }

// usagef makes a usageError.
func usagef(format string, a ...any) error { return &usageError{fmt.Errorf(format, a...)} }
