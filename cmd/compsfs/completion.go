package main

import (
	"github.com/spf13/cobra"
)

// newCompletionCommand is compsfs completion bash|zsh|fish.
func newCompletionCommand(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:   "completion bash|zsh|fish",
		Short: "print the shell completion script",
		Long: `Print the completion script of bash, zsh or fish. To load it:
  bash: source <(compsfs completion bash), or save it as /etc/bash_completion.d/compsfs
  zsh:  compsfs completion zsh > "${fpath[1]}/_compsfs"
  fish: compsfs completion fish > ~/.config/fish/completions/compsfs.fish`,
		ValidArgs: []cobra.Completion{"bash", "zsh", "fish"},
		Args:      exactArgs("SHELL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(out, true)
			case "zsh":
				return root.GenZshCompletion(out)
			case "fish":
				return root.GenFishCompletion(out, true)
			}
			return usagef("unknown shell %q: want bash, zsh or fish", args[0])
		},
	}
}

// completeDirs completes a MOUNTPOINT argument with folders.
func completeDirs(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return nil, cobra.ShellCompDirectiveFilterDirs
}

// completeMounts completes a MOUNTPOINT argument with the compsfs mounts.
func completeMounts(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	mounts, _ := readMounts()
	var dirs []cobra.Completion
	for _, m := range mounts {
		if m.fstype == compsfsType {
			dirs = append(dirs, m.dir)
		}
	}
	return dirs, cobra.ShellCompDirectiveNoFileComp
}

// addMountCompletions completes the values of the mount flags.
func addMountCompletions(cmd *cobra.Command) {
	for _, name := range []string{"data", "cache-dir", "spool-dir"} {
		_ = cmd.MarkFlagDirname(name)
	}
	_ = cmd.MarkFlagFilename("log-file")
	_ = cmd.RegisterFlagCompletionFunc("log-level", cobra.FixedCompletions(
		[]cobra.Completion{"debug", "info", "warn", "error"}, cobra.ShellCompDirectiveNoFileComp))
}
