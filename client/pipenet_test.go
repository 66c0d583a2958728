package client_test

import (
	"context"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/compsfs/compsfs/client"
)

// pipeListener is an in-memory network: each dial makes a net.Pipe whose
// other end the listener accepts. Unlike TCP, a goroutine blocked on a pipe
// is durably blocked for testing/synctest, so a client and a server in one
// bubble run on the fake clock.
type pipeListener struct {
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn), closed: make(chan struct{})}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return pipeAddr{} }

func (l *pipeListener) dial(ctx context.Context, _, _ string) (net.Conn, error) {
	c, s := net.Pipe()
	select {
	case l.conns <- s:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "pipe" }

// pipeToken is a System token valid on synctest's fake clock (year 2000).
const pipeToken = "x,System,jdoe,a,b,c,2099-01-01-00-00-00"

// newPipeClient serves h on an in-memory network and returns a client of
// it; edit changes the client's options. Call it inside a synctest bubble:
// the server and the client's connections are closed when the test ends.
func newPipeClient(t *testing.T, h http.Handler, edit func(*client.Options)) *client.Client {
	t.Helper()
	l := newPipeListener()
	srv := &http.Server{Handler: h}
	go srv.Serve(l)
	tr := &http.Transport{DialContext: l.dial}
	t.Cleanup(func() {
		tr.CloseIdleConnections()
		srv.Close()
	})
	opts := client.Options{Server: "http://comps.test", Token: pipeToken, NoTokenCache: true,
		HTTPClient: &http.Client{Transport: tr}, RetryBase: time.Second}
	if edit != nil {
		edit(&opts)
	}
	c, err := client.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// requestLog records when each request reached a test handler (on the fake
// clock inside a bubble).
type requestLog struct {
	mu    sync.Mutex
	times []time.Time
}

func (l *requestLog) add() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.times = append(l.times, time.Now())
	return len(l.times)
}

func (l *requestLog) all() []time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]time.Time(nil), l.times...)
}
