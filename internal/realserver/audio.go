package realserver

import (
	"encoding/binary"
	"math"
)

// WAV returns a RIFF/WAVE file of 16-bit mono PCM at sampleRate holding a
// sine tone of freq Hz, with at least minBytes bytes in all (the sample
// count is rounded up to a whole sample).
func WAV(sampleRate, freq, minBytes int) []byte {
	const header = 44
	samples := (minBytes - header + 1) / 2
	if samples < 1 {
		samples = 1
	}
	data := samples * 2
	b := make([]byte, header+data)
	copy(b[0:], "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+data))
	copy(b[8:], "WAVE")
	copy(b[12:], "fmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], 1) // PCM
	binary.LittleEndian.PutUint16(b[22:], 1) // mono
	binary.LittleEndian.PutUint32(b[24:], uint32(sampleRate))
	binary.LittleEndian.PutUint32(b[28:], uint32(sampleRate*2))
	binary.LittleEndian.PutUint16(b[32:], 2)
	binary.LittleEndian.PutUint16(b[34:], 16)
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(data))
	step := 2 * math.Pi * float64(freq) / float64(sampleRate)
	for i := 0; i < samples; i++ {
		v := int16(8000 * math.Sin(step*float64(i)))
		binary.LittleEndian.PutUint16(b[header+2*i:], uint16(v))
	}
	return b
}

// WAVDuration returns the playing time in whole seconds (rounded up) of a
// file made by WAV.
func WAVDuration(sampleRate, size int) int {
	bytesPerSec := sampleRate * 2
	return (size - 44 + bytesPerSec - 1) / bytesPerSec
}

// mp3Frame is one MPEG-1 Layer III frame, mono, 32 kHz, 32 kbit/s, no CRC:
// 144 bytes. Its side information and main data are zero, which decodes
// to silence.
var mp3Frame = func() []byte {
	f := make([]byte, 144)
	f[0], f[1], f[2], f[3] = 0xFF, 0xFB, 0x18, 0xC0
	return f
}()

// MP3FrameDuration is the playing time of one frame made by MP3: 1152
// samples at 32 kHz.
const MP3FrameDuration = 1152.0 / 32000.0

// MP3 returns an MPEG-1 Layer III stream of n silent frames (144 bytes
// each), playable by any decoder.
func MP3(n int) []byte {
	b := make([]byte, 0, n*len(mp3Frame))
	for range n {
		b = append(b, mp3Frame...)
	}
	return b
}
