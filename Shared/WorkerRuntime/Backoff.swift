/// Capped exponential backoff with full jitter: the pause before retry `n`
/// is random in 0...min(max, initial × 2ⁿ⁻¹), so replicas that failed
/// together do not retry together.
struct Backoff: Sendable {
    let initial: Duration
    let maximum: Duration

    func delay(attempt: Int) -> Duration {
        let ceiling = min(maximum, initial * (1 << min(max(attempt - 1, 0), 30)))
        let milliseconds = max(1, Int(ceiling / .milliseconds(1)))
        return .milliseconds(Int.random(in: 1...milliseconds))
    }
}
