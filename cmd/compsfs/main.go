// Command compsfs mounts COMPS as a filesystem (docs/cli.md): compsfs mount,
// serve, login, unmount, status and version. This package only parses
// flags, reads the config file, handles signals and wires the packages.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// command is one subcommand of compsfs.
type command struct {
	name, usage string
	run         func(args []string) error
}

// commands is every subcommand, in the order help lists them.
var commands = []command{
	{"mount", "mount [flags] MOUNTPOINT   mount; runs until unmounted or SIGINT/SIGTERM", cmdMount},
	{"serve", "serve [flags]             run the local COMPS-compatible server on its own", cmdServe},
	{"login", "login --server URL         obtain a token (prompts for the password) and cache it", cmdLogin},
	{"unmount", "unmount [--force] MOUNTPOINT  unmount cleanly (lazily with --force)", cmdUnmount},
	{"status", "status MOUNTPOINT         print the running mount's figures", cmdStatus},
	{"version", "version                   print the version", func([]string) error { fmt.Println("compsfs", version); return nil }},
}

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	for _, c := range commands {
		if c.name == os.Args[1] {
			if err := c.run(os.Args[2:]); err != nil {
				if !errors.Is(err, flag.ErrHelp) {
					fmt.Fprintln(os.Stderr, "compsfs:", err)
				}
				os.Exit(1)
			}
			return
		}
	}
	usage()
	os.Exit(2)
}

// usage prints the list of subcommands.
func usage() {
	fmt.Fprintln(os.Stderr, "usage: compsfs COMMAND [flags]")
	for _, c := range commands {
		fmt.Fprintln(os.Stderr, "  compsfs", c.usage)
	}
}
