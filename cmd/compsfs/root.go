package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

// newRootCommand is compsfs: its commands, and the mount-helper form
// compsfs SERVER MOUNTPOINT -o OPTIONS that mount.fuse3 runs for fstab and
// mount -t fuse.compsfs (docs/service.md).
func newRootCommand() *cobra.Command {
	var f mountFlags
	root := &cobra.Command{
		Use:                        "compsfs",
		Short:                      "mount COMPS as a folder tree",
		Version:                    versionText(),
		Args:                       helperFormArgs,
		ValidArgsFunction:          completeDirs,
		SilenceErrors:              true,
		SuggestionsMinimumDistance: 2,
		SilenceUsage:               true,
		CompletionOptions:          cobra.CompletionOptions{DisableDefaultCmd: true},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmd.Help()
			}
			if err := applyConfig(cmd.Flags(), configPath()); err != nil {
				return err
			}
			if len(args) == 2 {
				f.Server = args[0]
			} else {
				f.Server = "" // mount.fuse3 drops an empty SERVER
			}
			if f.Server == "local" {
				f.Server = ""
			}
			return runMount(&f, args[len(args)-1], true)
		},
	}
	f.define(root.Flags())
	addMountCompletions(root)
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetFlagErrorFunc(flagError)
	root.AddCommand(newMountCommand(), newServeCommand(), newLoginCommand(), newUnmountCommand(),
		newStatusCommand(), newVersionCommand(), newCompletionCommand(root))
	root.SetHelpCommand(newHelpCommand(root))
	commandHelp := root.HelpFunc()
	root.SetHelpFunc(func(cmd *cobra.Command, args []string) {
		if cmd == root {
			writeRootHelp(cmd.OutOrStdout(), root)
			return
		}
		commandHelp(cmd, args)
	})
	return root
}

// helperFormArgs accepts the arguments of the mount-helper form, SERVER
// MOUNTPOINT, or MOUNTPOINT alone with -o (mount.fuse3 leaves out an empty
// SERVER), where SERVER is local or a URL; anything else is an unknown
// command.
func helperFormArgs(cmd *cobra.Command, args []string) error {
	switch {
	case len(args) == 0:
		return nil
	case len(args) == 1 && cmd.Flags().Changed("options"):
		return nil
	case len(args) == 2 && (args[0] == "" || args[0] == "local" || strings.Contains(args[0], "://")):
		return nil
	case len(args) > 2:
		return usagef("unexpected argument %q; the mount-helper form is compsfs SERVER MOUNTPOINT -o OPTIONS", args[2])
	}
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		return usagef("unknown command %q; did you mean %s?", args[0], strings.Join(s, " or "))
	}
	if len(args) == 2 {
		return usagef("unknown command %q (in the mount-helper form, SERVER is local, http://HOST or https://HOST)", args[0])
	}
	return usagef("unknown command %q", args[0])
}

// writeRootHelp writes compsfs --help: the commands and the mount-helper
// form; the mount flags the root command also takes are in compsfs help
// mount.
func writeRootHelp(w io.Writer, root *cobra.Command) {
	fmt.Fprint(w, `compsfs mounts COMPS as a folder tree: work items with their metadata, files and
outputs, and an inbox/ where copying a work order creates a work item.

Usage:
  compsfs COMMAND [flags] [arguments]
  compsfs SERVER MOUNTPOINT -o OPTIONS   the mount-helper form, for fstab and mount -t
                                         fuse.compsfs; SERVER is a URL or local

Commands:
`)
	for _, c := range root.Commands() {
		if c.IsAvailableCommand() || c.Name() == "help" {
			fmt.Fprintf(w, "  %-11s %s\n", c.Name(), c.Short)
		}
	}
	fmt.Fprint(w, `
Flags:
  -h, --help      help for compsfs
      --version   print the version

Run 'compsfs help COMMAND' for a command's flags. Examples:
  compsfs mount --demo ~/comps             a sample local COMPS, mounted on ~/comps
  compsfs login --server https://comps.example.org
  compsfs mount --server https://comps.example.org ~/comps
`)
}

// newHelpCommand is compsfs help [COMMAND].
func newHelpCommand(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:   "help [COMMAND]",
		Short: "help about compsfs or one of its commands",
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			var names []cobra.Completion
			for _, c := range root.Commands() {
				if c.IsAvailableCommand() && len(args) == 0 {
					names = append(names, cobra.CompletionWithDesc(c.Name(), c.Short))
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return root.Help()
			}
			target, rest, err := root.Find(args)
			if err != nil || target == root || len(rest) > 0 {
				return usagef("unknown command %q", strings.Join(args, " "))
			}
			target.InitDefaultHelpFlag()
			return target.Help()
		},
	}
}
