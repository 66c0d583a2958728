package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// version is the release version when packagers set it with
// -ldflags "-X main.version=v1.2.3"; otherwise the build info's module
// version is shown.
var version = ""

// newVersionCommand is compsfs version, the same as compsfs --version.
func newVersionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "print the version, VCS revision and Go version",
		Args:  noArgs,
		Run: func(cmd *cobra.Command, args []string) {
			fmt.Fprintln(cmd.OutOrStdout(), versionText())
		},
	}
}

// versionText describes this binary from its build info: the module
// version, the VCS revision and commit time it was built from (and whether
// the tree had changes), and the Go version.
func versionText() string {
	v, goVersion := version, runtime.Version()
	var rev, when string
	modified := false
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v == "" {
			v = bi.Main.Version
		}
		goVersion = bi.GoVersion
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				when = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if v == "" {
		v = "(devel)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "compsfs %s\n", v)
	if rev != "" {
		fmt.Fprintf(&b, "revision %s", rev)
		if modified {
			b.WriteString(" (modified)")
		}
		if when != "" {
			fmt.Fprintf(&b, ", committed %s", when)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "%s %s/%s", goVersion, runtime.GOOS, runtime.GOARCH)
	return b.String()
}
