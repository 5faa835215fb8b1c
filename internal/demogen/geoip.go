package demogen

// writeGeoIP writes the GeoIP test databases. (Waiting for internal/geoiptest.)
func writeGeoIP(dir string) error { return nil }
