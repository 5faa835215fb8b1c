package demogen

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/forensiclog/forensics/internal/geoiptest"
)

// writeGeoIP writes the GeoIP test databases (documentation ranges only,
// fixed build time) as geoip/city.mmdb and geoip/asn.mmdb.
func writeGeoIP(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("demogen: %w", err)
	}
	if err := geoiptest.WriteCity(filepath.Join(dir, "city.mmdb")); err != nil {
		return fmt.Errorf("demogen: %w", err)
	}
	if err := geoiptest.WriteASN(filepath.Join(dir, "asn.mmdb")); err != nil {
		return fmt.Errorf("demogen: %w", err)
	}
	return nil
}
