import Foundation

extension Duration {
    /// Whole and fractional seconds: what `Date` arithmetic and Postgres
    /// intervals take.
    public var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
