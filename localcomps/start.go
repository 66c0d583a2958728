package localcomps

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Running is a local COMPS serving HTTP (or HTTPS) on an address: what
// compsfs serve runs, and compsfs mount embeds when no server is given.
type Running struct {
	*Server
	// URL is where it answers: http://host:port or https://host:port.
	URL string
	hs  *http.Server
	ln  net.Listener
}

// ServeOptions say where and how Serve listens.
type ServeOptions struct {
	// Listen is host:port; "127.0.0.1:0" picks a free loopback port.
	Listen string
	// TLS, when set, serves HTTPS with it.
	TLS *tls.Config
	// Demo fills the store with sample data before serving (Demo).
	Demo bool
}

// Serve opens the store in o.Dir and serves it on so.Listen until Close.
// It returns once the address accepts connections.
func Serve(ctx context.Context, o Options, so ServeOptions) (*Running, error) {
	srv, err := Open(o)
	if err != nil {
		return nil, err
	}
	if so.Demo {
		if err := Demo(ctx, srv); err != nil {
			srv.Close()
			return nil, fmt.Errorf("demo data: %w", err)
		}
	}
	ln, err := net.Listen("tcp", so.Listen)
	if err != nil {
		srv.Close()
		return nil, fmt.Errorf("listen on %s: %w", so.Listen, err)
	}
	r := &Running{Server: srv, ln: ln, URL: "http://" + ln.Addr().String(),
		hs: &http.Server{Handler: srv, ReadHeaderTimeout: 30 * time.Second, TLSConfig: so.TLS}}
	if so.TLS != nil {
		r.ln, r.URL = tls.NewListener(ln, so.TLS), "https://"+ln.Addr().String()
	}
	return r, nil
}

// Run answers requests until Close (nil then) or a failure of the listener.
func (r *Running) Run() error {
	if err := r.hs.Serve(r.ln); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve %s: %w", r.URL, err)
	}
	return nil
}

// Start answers requests in the background until Close.
func (r *Running) Start() { go r.Run() }

// Close stops answering (letting requests under way end for up to wait)
// and closes the store.
func (r *Running) Close(wait time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	err := r.hs.Shutdown(ctx)
	if cerr := r.Server.Close(); err == nil {
		err = cerr
	}
	return err
}
