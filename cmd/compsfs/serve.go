package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/fs"
	"github.com/compsfs/compsfs/localcomps"
)

// serveFlags are the flags of compsfs serve (docs/cli.md).
type serveFlags struct {
	listen, data, tokenFile, user, password string
	tlsCert, tlsKey                         string
	demo, revoke, tlsSelfSigned             bool
	latency                                 time.Duration
	failRate, resetRate                     float64
	bandwidth                               bandwidthFlag
	environments                            listFlag
	logLevel, logFile                       string
	verbose                                 bool
	workers                                 int
	jobTimeout                              time.Duration
}

// listFlag is a repeatable flag that also takes comma-separated lists.
type listFlag []string

// String renders the list comma-joined.
func (l *listFlag) String() string { return strings.Join(*l, ",") }

// Type names the value in help.
func (l *listFlag) Type() string { return "names" }

// Set adds the names in s.
func (l *listFlag) Set(s string) error {
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			*l = append(*l, v)
		}
	}
	return nil
}

// bandwidthFlag is a humanized rate such as "50MB/s" (the "/s" optional).
type bandwidthFlag int64

// String renders the rate in bytes per second ("0": unlimited).
func (b *bandwidthFlag) String() string { return fmt.Sprint(int64(*b)) }

// Type names the value in help.
func (b *bandwidthFlag) Type() string { return "rate" }

// Set parses a humanized rate.
func (b *bandwidthFlag) Set(s string) error {
	n, err := parseBytes(strings.TrimSuffix(strings.TrimSpace(s), "/s"))
	if err != nil {
		return err
	}
	*b = bandwidthFlag(n)
	return nil
}

// define registers the flags on fset.
func (f *serveFlags) define(fset *pflag.FlagSet) {
	fset.StringVar(&f.listen, "listen", "127.0.0.1:8420", "address to listen on")
	fset.StringVar(&f.data, "data", defaultDataDir(), "data folder (database and blobs)")
	fset.StringVar(&f.tokenFile, "token-file", "", "write the accepted token to this file (mode 0600); default DATA/token")
	fset.StringVar(&f.user, "user", "localuser", "user name owning the token")
	fset.StringVar(&f.password, "password", "", "password for POST /api/tokens logins (empty: logins refused)")
	fset.BoolVar(&f.demo, "demo", false, "fill an empty store with sample data first")
	fset.BoolVar(&f.revoke, "revoke", false, "invalidate every token issued so far (logins and the token file's) and write a new token file")
	d := fs.DefaultSettings()
	fset.IntVar(&f.workers, "workers", d.Workers, "commissioned work items run at a time by the local worker (0: none)")
	f.jobTimeout = d.JobTimeout
	fset.Var(durationValue{&f.jobTimeout}, "job-timeout", "longest a work item's command may run")
	fset.Var(durationValue{&f.latency}, "latency", "latency added to every response")
	fset.Float64Var(&f.failRate, "fail-rate", 0, "share of requests answered 503")
	fset.Float64Var(&f.resetRate, "reset-rate", 0, "share of response bodies cut off mid-stream")
	fset.Var(&f.bandwidth, "bandwidth", "limit each response body to this rate, e.g. 50MB/s")
	fset.Var(&f.environments, "environment", "accepted environment name (repeatable or comma list; default Local)")
	fset.StringVar(&f.tlsCert, "tls-cert", "", "serve HTTPS with this PEM certificate (with --tls-key)")
	fset.StringVar(&f.tlsKey, "tls-key", "", "the PEM private key of --tls-cert")
	fset.BoolVar(&f.tlsSelfSigned, "tls-self-signed", false, "serve HTTPS with a self-signed certificate, made at start (or kept from the last) and written beside the token file for clients to trust (--ca-file)")
	fset.StringVar(&f.logLevel, "log-level", "info", "debug, info, warn or error")
	fset.StringVar(&f.logFile, "log-file", "", "write logs to this file instead of stderr")
	fset.BoolVarP(&f.verbose, "verbose", "v", false, "debug logging")
}

// newServeCommand is compsfs serve [flags].
func newServeCommand() *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve [flags]",
		Short: "run the local COMPS-compatible server on its own",
		Long: `Run the local COMPS-compatible server until SIGINT or SIGTERM, for compsfs
mount --server, pyCOMPS or tests. The token it accepts is written to
--token-file; logins (compsfs login) work only with --password.`,
		Example: `  compsfs serve --demo --listen 127.0.0.1:8420`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return cmdServe(f)
		},
	}
	f.define(cmd.Flags())
	return cmd
}

// cmdServe runs the local COMPS server until SIGINT or SIGTERM.
func cmdServe(f serveFlags) error {
	if f.failRate < 0 || f.failRate > 1 || f.resetRate < 0 || f.resetRate > 1 {
		return usagef("--fail-rate and --reset-rate must be between 0 and 1")
	}
	if f.workers < 0 || f.jobTimeout <= 0 {
		return usagef("--workers must be 0 or more and --job-timeout positive")
	}
	if (f.tlsCert == "") != (f.tlsKey == "") || f.tlsSelfSigned && f.tlsCert != "" {
		return usagef("give --tls-cert with --tls-key, or --tls-self-signed, not both")
	}
	lv, err := logLevel(f.logLevel, f.verbose)
	if err != nil {
		return err
	}
	log, closer, err := newLogger(lv, f.logFile)
	if err != nil {
		return err
	}
	defer closer.Close()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	tokenFile := f.tokenFile
	if tokenFile == "" {
		tokenFile = filepath.Join(f.data, "token")
	}
	static := previousToken(tokenFile, f.user)
	if f.revoke {
		static = "" // a new one is minted and replaces the token file
	}
	if f.tlsSelfSigned {
		f.tlsCert, f.tlsKey, err = selfSignedFiles(tokenFile, f.listen)
		if err != nil {
			return fmt.Errorf("serve: %w", err)
		}
		log.Info("self-signed certificate", "cert", f.tlsCert)
	}
	var tlsConfig *tls.Config
	if f.tlsCert != "" {
		if tlsConfig, err = loadTLS(f.tlsCert, f.tlsKey); err != nil {
			return fmt.Errorf("serve: %w", err)
		}
	}
	srv, err := localcomps.Serve(ctx, localcomps.Options{
		Dir: f.data, User: f.user, Token: static, Password: f.password, Environments: f.environments, Logger: log,
		Workers: f.workers, JobTimeout: f.jobTimeout,
		Faults: localcomps.Faults{Latency: f.latency, FailRate: f.failRate, ResetRate: f.resetRate,
			Bandwidth: int64(f.bandwidth), Seed: time.Now().UnixNano()},
	}, localcomps.ServeOptions{Listen: f.listen, TLS: tlsConfig, Demo: f.demo})
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer srv.Close(10 * time.Second)
	if f.revoke {
		n, err := srv.RevokeTokens()
		if err != nil {
			return fmt.Errorf("serve: %w", err)
		}
		fmt.Printf("revoked %d login tokens and the previous token file's token\n", n)
	}
	if err := writeTokenFile(tokenFile, srv.Token()); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if tlsConfig != nil {
		fmt.Printf("TLS certificate in %s (clients trust it with --ca-file %s)\n", f.tlsCert, f.tlsCert)
	}
	fmt.Printf("local COMPS listening on %s\ntoken in %s\ndata in %s\n", srv.URL, tokenFile, f.data)
	errc := make(chan error, 1)
	go func() { errc <- srv.Run() }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	return nil
}

// previousToken returns the System token of user left in the token file by
// an earlier run, so that clients keep working across restarts; "" when
// there is none (a new one is then minted).
func previousToken(path, user string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	tok, err := client.ParseToken(string(data))
	if err != nil || tok.Type != client.TokenSystem || tok.User != user || time.Now().Add(24*time.Hour).After(tok.Expiry) {
		return ""
	}
	return strings.TrimSpace(string(data))
}

// writeTokenFile writes the token with mode 0600, atomically.
func writeTokenFile(path, token string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("token file: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".token-*")
	if err != nil {
		return fmt.Errorf("token file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(token); err != nil {
		tmp.Close()
		return fmt.Errorf("token file: %w", err)
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("token file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("token file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("token file: %w", err)
	}
	return nil
}
