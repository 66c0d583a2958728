package main

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"
)

// mountOptions is the -o flag: a comma-separated list of mount options, as
// mount(8) and mount.fuse3 pass them (docs/service.md). Each option is a
// flag of the same set spelled with underscores (cache_dir=DIR is
// --cache-dir DIR, allow_other is --allow-other), applied at once, so
// options and flags count in the order they are given.
type mountOptions struct{ fset *pflag.FlagSet }

// mountOptionAliases are the -o spellings that are not a flag's name.
var mountOptionAliases = map[string]string{
	"ro":       "read-only",
	"nonempty": "allow-non-empty", // libfuse 2's name
}

// genericMountOptions are options mount(8), mount.fuse3 and fstab pass to
// every FUSE helper; compsfs accepts and ignores them (it always mounts
// nosuid,nodev and decides default_permissions itself). Options starting
// with "x-" (x-systemd.automount, …) are for systemd and ignored too.
var genericMountOptions = map[string]bool{
	"": true, "defaults": true, "rw": true, "dev": true, "nodev": true, "suid": true, "nosuid": true,
	"exec": true, "noexec": true, "auto": true, "noauto": true, "user": true, "nouser": true,
	"users": true, "owner": true, "group": true, "_netdev": true, "nofail": true, "async": true,
	"sync": true, "dirsync": true, "atime": true, "noatime": true, "relatime": true,
	"norelatime": true, "strictatime": true, "lazytime": true, "diratime": true,
	"nodiratime": true, "default_permissions": true,
}

// String shows nothing: the options are applied to their flags.
func (o mountOptions) String() string { return "" }

// Type names the value in help.
func (o mountOptions) Type() string { return "options" }

// Set applies each option of a comma-separated list.
func (o mountOptions) Set(list string) error {
	for _, opt := range strings.Split(list, ",") {
		if err := applyMountOption(o.fset, strings.TrimSpace(opt)); err != nil {
			return err
		}
	}
	return nil
}

// applyMountOption applies one option: name or name=value.
func applyMountOption(fset *pflag.FlagSet, opt string) error {
	name, value, hasValue := strings.Cut(opt, "=")
	if genericMountOptions[name] || strings.HasPrefix(name, "x-") || name == "comment" {
		return nil
	}
	fl := fset.Lookup(optionFlagName(name))
	if fl == nil || fl.Hidden || fl.Name == "options" {
		return fmt.Errorf("unknown mount option %q", name)
	}
	if !hasValue {
		if fl.NoOptDefVal == "" {
			return fmt.Errorf("mount option %s needs a value: %s=…", name, name)
		}
		value = fl.NoOptDefVal
	}
	if err := fset.Set(fl.Name, value); err != nil {
		return fmt.Errorf("mount option %s: %w", name, err)
	}
	return nil
}

// optionFlagName is the flag an -o option sets.
func optionFlagName(option string) string {
	if f, ok := mountOptionAliases[option]; ok {
		return f
	}
	return strings.ReplaceAll(option, "_", "-")
}

// optionName is a flag's -o spelling.
func optionName(flag string) string { return strings.ReplaceAll(flag, "-", "_") }

// optionSpellings lists the -o spelling of every flag of fset for help,
// in lines of at most 80 characters: "ro, all_owners, …, cache_dir=…, …".
func optionSpellings(fset *pflag.FlagSet) string {
	names := []string{"ro"}
	fset.VisitAll(func(fl *pflag.Flag) {
		if fl.Hidden || fl.Name == "options" || fl.Name == "help" {
			return
		}
		name := optionName(fl.Name)
		if fl.NoOptDefVal == "" {
			name += "=…"
		}
		names = append(names, name)
	})
	var b strings.Builder
	line := 0
	for i, n := range names {
		if i > 0 {
			b.WriteString(",")
			line++
			if line+1+len(n) > 80 {
				b.WriteString("\n")
				line = 0
			} else {
				b.WriteString(" ")
				line++
			}
		}
		b.WriteString(n)
		line += len(n)
	}
	return b.String()
}
