package parquetout

import (
	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go/format"
)

// zstdCodec is parquet-go's zstd codec with encoders that outlive garbage
// collections. parquet-go keeps its encoders in a sync.Pool, which every
// collection empties; near the memory limit collections are frequent, and
// each new encoder allocates its history buffers again (10.8 GB of
// allocations on the incident benchmark, half of all, which in turn drove
// the collections). Here the encoders live in a small free list that the
// collector does not touch.
type zstdCodec struct {
	level zstd.EncoderLevel
	free  chan *zstd.Encoder
	dec   chan *zstd.Decoder
}

func newZstdCodec(level zstd.EncoderLevel) *zstdCodec {
	return &zstdCodec{level: level, free: make(chan *zstd.Encoder, 4), dec: make(chan *zstd.Decoder, 2)}
}

func (c *zstdCodec) String() string { return "ZSTD" }

func (c *zstdCodec) CompressionCodec() format.CompressionCodec { return format.Zstd }

func (c *zstdCodec) Encode(dst, src []byte) ([]byte, error) {
	var e *zstd.Encoder
	select {
	case e = <-c.free:
	default:
		var err error
		e, err = zstd.NewWriter(nil,
			zstd.WithEncoderConcurrency(1),
			zstd.WithEncoderLevel(c.level),
			zstd.WithZeroFrames(true),
			zstd.WithEncoderCRC(false),
			// Pages are far smaller than the default 8 MiB window, whose
			// history buffer each encoder would otherwise carry.
			zstd.WithWindowSize(1<<20),
		)
		if err != nil {
			return dst[:0], err
		}
	}
	out := e.EncodeAll(src, dst[:0])
	select {
	case c.free <- e:
	default:
	}
	return out, nil
}

func (c *zstdCodec) Decode(dst, src []byte) ([]byte, error) {
	var d *zstd.Decoder
	select {
	case d = <-c.dec:
	default:
		var err error
		d, err = zstd.NewReader(nil, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return dst[:0], err
		}
	}
	out, err := d.DecodeAll(src, dst[:0])
	select {
	case c.dec <- d:
	default:
		d.Close()
	}
	return out, err
}
