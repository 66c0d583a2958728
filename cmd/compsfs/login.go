package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"

	"github.com/compsfs/compsfs/client"
)

// newLoginCommand is compsfs login --server URL [--user NAME]: it asks for
// the password, logs in and caches the token where pyCOMPS keeps it (0600).
func newLoginCommand() *cobra.Command {
	var server, user string
	cmd := &cobra.Command{
		Use:   "login --server URL [--user NAME]",
		Short: "log in to a COMPS server and cache the token",
		Long: `Ask for the password, log in to the COMPS server and cache the token where the
official Python client keeps it (mode 0600), for compsfs mount --server and
pyCOMPS alike.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if server == "" {
				return usagef("--server is required (or set COMPS_SERVER)")
			}
			if err := checkServerURL(server); err != nil {
				return err
			}
			return runLogin(server, user)
		},
	}
	cmd.Flags().StringVar(&server, "server", os.Getenv("COMPS_SERVER"), "COMPS server, http://… or https://…")
	cmd.Flags().StringVar(&user, "user", "", "user name (asked when not given)")
	return cmd
}

// runLogin logs in to server as user, asking for what it lacks.
func runLogin(server, user string) error {
	c, err := client.New(client.Options{Server: server})
	if err != nil {
		return err
	}
	ctx := context.Background()
	if err := checkReachable(ctx, c.Host()); err != nil {
		return err
	}
	in := bufio.NewReader(os.Stdin)
	if user == "" {
		fmt.Fprint(os.Stderr, "User name: ")
		line, err := in.ReadString('\n')
		if err != nil {
			return fmt.Errorf("login: %w", err)
		}
		user = strings.TrimSpace(line)
	}
	fmt.Fprint(os.Stderr, "Password: ")
	password, err := readSecret(in)
	fmt.Fprintln(os.Stderr)
	if err != nil {
		return fmt.Errorf("login: %w", err)
	}
	if err := c.Login(ctx, user, password); err != nil {
		return explainLogin(c.Host(), user, err)
	}
	fmt.Fprintf(os.Stderr, "compsfs: logged in to %s as %s; token cached in %s\n", c.Host(), user,
		client.TokenCachePath("", c.Host(), ""))
	return nil
}

// explainLogin says what a refused login means. COMPS answers a wrong name
// or password and a server that takes no logins alike (401), so the message
// names both.
func explainLogin(server, user string, err error) error {
	if errors.Is(err, client.ErrUnauthorized) {
		return fmt.Errorf("%s refused the login of %s: a wrong user name or password, or a server that refuses logins (compsfs serve takes them only when started with --password)", server, user)
	}
	return explainServer(server, err)
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
