package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/localcomps"
)

// connect makes the client: for --server, with COMPS_TOKEN or the token cache
// (compsfs login's, shared with pyCOMPS), once the server is reachable;
// otherwise it starts the embedded local COMPS on a random loopback port with
// a random token. The returned function stops the embedded server.
func connect(ctx context.Context, f *mountFlags, log *slog.Logger) (*client.Client, func(), error) {
	if f.Server != "" {
		c, err := client.New(client.Options{Server: f.Server, Token: os.Getenv("COMPS_TOKEN"), CAFile: f.caFile, Logger: log})
		if err != nil {
			return nil, nil, err
		}
		if err := checkReachable(ctx, c.Host()); err != nil {
			return nil, nil, err
		}
		return c, func() {}, nil
	}
	if f.Workers < 0 || f.JobTimeout <= 0 {
		return nil, nil, errors.New("--workers must be 0 or more and --job-timeout positive")
	}
	srv, err := localcomps.Serve(ctx, localcomps.Options{Dir: f.Data, User: client.LocalUserName(), Logger: log,
		Workers: f.Workers, JobTimeout: f.JobTimeout}, localcomps.ServeOptions{Listen: "127.0.0.1:0", Demo: f.Demo})
	if err != nil {
		return nil, nil, fmt.Errorf("embedded local COMPS: %w", err)
	}
	srv.Start()
	stop := func() { srv.Close(5 * time.Second) }
	c, err := client.New(client.Options{Server: srv.URL, Token: srv.Token(), NoTokenCache: true, Logger: log})
	if err != nil {
		stop()
		return nil, nil, err
	}
	log.Info("embedded local COMPS started", "url", c.Host(), "data", f.Data)
	return c, stop, nil
}
