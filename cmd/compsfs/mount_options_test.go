package main

import (
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

func TestEveryMountFlagHasAnOptionSpelling(t *testing.T) {
	f, fset := newMountFlagSet()
	list := "ro,allow_other,allow_non_empty,all_owners,demo,fuse_debug,foreground,cache_dir=/c,cache_size=20GiB," +
		"timeout=1m,attr_ttl=3s,dir_ttl=45s,job_timeout=2h,environment=Docker,spool_dir=/s,data=/d,workers=4," +
		"server=https://comps.example.org,log_level=debug,log_file=/l,metrics_addr=127.0.0.1:9464,daemon,verbose,ca_file=/ca.pem"
	if err := fset.Parse([]string{"-o", list, "/mnt"}); err != nil {
		t.Fatal(err)
	}
	s := f.Settings
	if !s.ReadOnly || !s.AllowOther || !s.AllowNonEmpty || !s.AllOwners || !s.Demo || !s.FuseDebug || !f.foreground ||
		s.CacheDir != "/c" || s.CacheSize != 20<<30 || s.Timeout != time.Minute || s.AttrTTL != 3*time.Second ||
		s.DirTTL != 45*time.Second || s.JobTimeout != 2*time.Hour || s.Environment != "Docker" || s.SpoolDir != "/s" ||
		s.Data != "/d" || s.Workers != 4 || s.Server != "https://comps.example.org" || f.logLevel != "debug" ||
		f.logFile != "/l" || f.metricsAddr != "127.0.0.1:9464" || !f.daemon || !f.verbose || f.caFile != "/ca.pem" {
		t.Fatalf("after -o %s: %+v %+v", list, s, *f)
	}
	// Every flag but -o itself and hidden ones is reachable that way.
	seen := map[string]bool{}
	for _, o := range strings.Split(list, ",") {
		name, _, _ := strings.Cut(o, "=")
		seen[optionFlagName(name)] = true
	}
	fset.VisitAll(func(fl *pflag.Flag) {
		if !fl.Hidden && fl.Name != "options" && !seen[fl.Name] {
			t.Errorf("--%s has no -o spelling in this test's list (%s)", fl.Name, optionName(fl.Name))
		}
	})
}

func TestGenericMountOptionsAreIgnored(t *testing.T) {
	f, fset := newMountFlagSet()
	before := f.Settings
	// What mount(8) and mount.fuse3 pass for an fstab line with defaults.
	if err := fset.Parse([]string{"-o", "rw,nodev,nosuid,dev,suid,exec,noexec,_netdev,noauto,auto,user,users,nouser,nofail,defaults,relatime,x-systemd.automount,x-systemd.idle-timeout=60", "/mnt"}); err != nil {
		t.Fatal(err)
	}
	if f.Settings != before {
		t.Fatalf("generic options changed settings: %+v", f.Settings)
	}
}

func TestMountOptionsApplyInOrder(t *testing.T) {
	f, fset := newMountFlagSet()
	if err := fset.Parse([]string{"--timeout", "5s", "-o", "timeout=7s,ro", "-o", "rw", "/mnt"}); err != nil {
		t.Fatal(err)
	}
	if f.Timeout != 7*time.Second || !f.ReadOnly {
		t.Fatalf("timeout %v read-only %v: the later option wins, rw leaves ro alone", f.Timeout, f.ReadOnly)
	}
}

func TestValuesShowHumanDefaults(t *testing.T) {
	for _, tc := range []struct {
		v    interface{ String() string }
		want string
	}{
		{sizeValue{ptr(int64(10 << 30))}, "10GiB"},
		{sizeValue{ptr(int64(1536))}, "1.5KiB"},
		{durationValue{ptr(time.Hour)}, "1h"},
		{durationValue{ptr(90 * time.Minute)}, "1h30m"},
		{durationValue{ptr(2 * time.Minute)}, "2m"},
		{durationValue{ptr(30 * time.Second)}, "30s"},
		{durationValue{ptr(1500 * time.Millisecond)}, "1.5s"},
		{durationValue{ptr(time.Duration(0))}, "0"},
	} {
		if got := tc.v.String(); got != tc.want {
			t.Errorf("%#v: %q, want %q", tc.v, got, tc.want)
		}
	}
	var n int64
	if err := (sizeValue{&n}).Set("500MB"); err != nil || n != 500_000_000 {
		t.Errorf("500MB: %d %v", n, err)
	}
	var d time.Duration
	if err := (durationValue{&d}).Set("-1s"); err == nil {
		t.Error("a negative duration must be refused")
	}
}

func ptr[T any](v T) *T { return &v }
