//go:build race

package fs_test

// raceEnabled is set when the tests run under the race detector, which
// slows localcomps' pure-Go SQLite about twentyfold: the largest worlds are
// made smaller then.
const raceEnabled = true
