package client

import "math/rand/v2"

// jitter is a random duration in [0, n) nanoseconds; 0 for n <= 0.
func jitter(n int64) int64 {
	if n <= 0 {
		return 0
	}
	return rand.Int64N(n)
}
