package client

import "context"

// Progress is told how many bytes of a file are on the server so far, and
// its size.
type Progress func(done, total int64)

// progressKey is the context key of a Progress.
type progressKey struct{}

// WithProgress returns a context under which UploadLarge reports its
// progress to p after every chunk.
func WithProgress(ctx context.Context, p Progress) context.Context {
	return context.WithValue(ctx, progressKey{}, p)
}

// reportProgress tells ctx's Progress, if any, that done of total bytes are
// on the server.
func reportProgress(ctx context.Context, done, total int64) {
	if p, ok := ctx.Value(progressKey{}).(Progress); ok && p != nil {
		p(done, total)
	}
}
