package main

import (
	"strings"

	"github.com/spf13/cobra"
)

// exactArgs wants one argument per name, and says which are missing or too
// many as a usage error.
func exactArgs(names ...string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		switch {
		case len(args) < len(names):
			return usagef("missing %s", strings.Join(names[len(args):], " "))
		case len(args) > len(names):
			return usagef("unexpected argument %q after %s", args[len(names)], strings.Join(names, " "))
		}
		return nil
	}
}

// noArgs refuses any argument as a usage error.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	return nil
}

// flagError makes cobra's flag errors usage errors.
func flagError(cmd *cobra.Command, err error) error {
	return &usageError{err}
}
