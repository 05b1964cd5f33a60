import Testing

extension Trait where Self == TimeLimitTrait {
    /// For tests that start processes (services, servers, the CLI): one that
    /// hangs fails after ten minutes instead of holding up the whole run.
    static var startsProcesses: Self { .timeLimit(.minutes(10)) }
}
