package catalog

import (
	"context"
	"errors"
	"net"
	"time"

	"github.com/compsfs/compsfs/cache"
	"github.com/compsfs/compsfs/client"
)

// Offline, stale-if-error (docs/caching.md): when the server cannot answer
// (unreachable, too slow, or failing with 5xx), what was fetched before is
// served however old; only what was never fetched fails. Answers the
// server gives (not found, refused) are never hidden this way, and nothing
// a write forgot comes back.

// fetchOrStale is meta.GetOrFetch, answering from an expired entry when
// the server cannot be reached.
func fetchOrStale[K comparable, V any](ctx context.Context, c *Catalog, meta *cache.Meta[K, V], key K,
	fetch func(ctx context.Context) (V, time.Duration, error)) (V, error) {
	v, err := meta.GetOrFetch(ctx, key, fetch)
	if err != nil && cannotAnswer(err) {
		if old, ok := meta.Stale(key); ok {
			c.staleServed.Add(1)
			return old, nil
		}
	}
	return v, err
}

// cannotAnswer reports an error that says nothing of the thing asked for,
// only that the server could not answer now.
func cannotAnswer(err error) bool {
	var netErr net.Error
	return errors.Is(err, client.ErrUnreachable) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, client.ErrServer) || errors.As(err, &netErr)
}
