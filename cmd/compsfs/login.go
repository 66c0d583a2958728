package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/compsfs/compsfs/client"
)

// cmdLogin is compsfs login --server URL [--user NAME]: it asks for the
// password, logs in and caches the token where pyCOMPS keeps it (0600).
func cmdLogin(args []string) error {
	fset := flag.NewFlagSet("login", flag.ContinueOnError)
	server := fset.String("server", os.Getenv("COMPS_SERVER"), "COMPS server")
	user := fset.String("user", "", "user name (asked when not given)")
	if err := fset.Parse(args); err != nil {
		return err
	}
	if *server == "" {
		return errors.New("usage: compsfs login --server URL [--user NAME]")
	}
	c, err := client.New(client.Options{Server: *server})
	if err != nil {
		return err
	}
	in := bufio.NewReader(os.Stdin)
	if *user == "" {
		fmt.Fprint(os.Stderr, "User name: ")
		line, err := in.ReadString('\n')
		if err != nil {
			return fmt.Errorf("login: %w", err)
		}
		*user = strings.TrimSpace(line)
	}
	fmt.Fprint(os.Stderr, "Password: ")
	password, err := readSecret(in)
	fmt.Fprintln(os.Stderr)
	if err != nil {
		return fmt.Errorf("login: %w", err)
	}
	if err := c.Login(context.Background(), *user, password); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "compsfs: logged in to %s as %s; token cached in %s\n", c.Host(), *user,
		client.TokenCachePath("", c.Host(), ""))
	return nil
}

// readSecret reads a line from stdin with terminal echo off (when stdin is a
// terminal).
func readSecret(in *bufio.Reader) (string, error) {
	fd := int(os.Stdin.Fd())
	if old, err := unix.IoctlGetTermios(fd, unix.TCGETS); err == nil {
		quiet := *old
		quiet.Lflag &^= unix.ECHO
		if err := unix.IoctlSetTermios(fd, unix.TCSETS, &quiet); err == nil {
			defer unix.IoctlSetTermios(fd, unix.TCSETS, old)
		}
	}
	line, err := in.ReadString('\n')
	if err != nil && line == "" {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}
