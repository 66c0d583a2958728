package cache

import "sync/atomic"

// The CRC-32C of two pieces of bytes in a row, from the CRC of each: the
// downloads compute the CRC of each buffer while its bytes are fresh in
// their CPU's cache, and the check, which sets the pace of a cold read,
// only combines them into the chunk's CRC. The arithmetic is that of
// zlib's crc32_combine, in GF(2) polynomials modulo the CRC's, in the
// reflected bit order of hash/crc32.

// castagnoliReversed is the Castagnoli polynomial, reflected.
const castagnoliReversed = 0x82f63b78

// multModP is a*b modulo the CRC-32C polynomial.
func multModP(a, b uint32) uint32 {
	var p uint32
	for m := uint32(1) << 31; m != 0; m >>= 1 {
		if a&m != 0 {
			p ^= b
			if a&(m-1) == 0 {
				break
			}
		}
		if b&1 != 0 {
			b = b>>1 ^ castagnoliReversed
		} else {
			b >>= 1
		}
	}
	return p
}

// x2nModP[k] is x^(2^k) modulo the CRC-32C polynomial.
var x2nModP = func() (t [32]uint32) {
	p := uint32(1) << 30 // x^1
	t[0] = p
	for k := 1; k < len(t); k++ {
		p = multModP(p, p)
		t[k] = p
	}
	return t
}()

// shiftOf is x^(8n) modulo the polynomial: the operator that moves a CRC
// past n bytes.
func shiftOf(n int64) uint32 {
	p := uint32(1) << 31 // x^0
	for k := 3; n != 0; n, k = n>>1, k+1 {
		if n&1 != 0 {
			p = multModP(x2nModP[k&31], p)
		}
	}
	return p
}

// lengthShift is the shift of a length.
type lengthShift struct {
	n     int64
	shift uint32
}

// lastShift keeps the shift of the length last combined: almost every
// buffer is as long as the one before.
var lastShift atomic.Pointer[lengthShift]

// crc32cCombine is the CRC-32C of a then b, given crcA of a and crcB of b,
// which is n bytes long.
func crc32cCombine(crcA, crcB uint32, n int64) uint32 {
	last := lastShift.Load()
	if last == nil || last.n != n {
		last = &lengthShift{n: n, shift: shiftOf(n)}
		lastShift.Store(last)
	}
	return multModP(last.shift, crcA) ^ crcB
}
