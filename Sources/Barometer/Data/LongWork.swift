/// Progress of a long computation: `completed` of `total` steps of `stage`.
public struct WorkProgress: Sendable, Equatable, Codable {
    /// What is being computed ("banner tables", "replicate fits", "CSV bytes", …).
    public let stage: String
    /// Steps done, 0…``total``.
    public let completed: Int
    /// Steps in all (at least 1).
    public let total: Int

    /// A progress report.
    public init(stage: String, completed: Int, total: Int) {
        self.stage = stage
        self.total = max(total, 1)
        self.completed = min(max(completed, 0), self.total)
    }

    /// `completed / total`, in 0…1; 1 when the stage is done.
    public var fraction: Double { Double(completed) / Double(total) }
}

/// Progress reports and cooperative cancellation for long work: banner books, replicate-weight
/// model fits (one refit per replicate), streamed CSV passes.
///
/// The long loops call ``step(_:completed:total:)`` between chunks of work (a banner table, a
/// replicate fit, a CSV chunk). It reports progress to the handler installed by
/// ``run(progress:_:)`` for the current task (a task-local value, so concurrent computations
/// report to their own handlers) and throws ``BarometerError/cancelled(stage:completed:total:)``
/// when the current `Task` is cancelled (`Task.isCancelled`). Outside a task, or without a handler,
/// a step only checks cancellation, which costs one atomic load: results are identical with or
/// without a handler, and do not depend on when progress is read.
///
/// ```swift
/// let task = Task {
///     try await LongWork.run(progress: { p in print(p.stage, p.fraction) }) {
///         try BannerBook(design, specification: spec)
///     }
/// }
/// task.cancel()      // the book stops after the table in progress: BarometerError.cancelled
/// ```
public enum LongWork {
    /// The progress handler of the current task (installed by ``run(progress:_:)``).
    @TaskLocal static var handler: (@Sendable (WorkProgress) -> Void)? = nil

    /// One step of long work: reports `completed` of `total` for `stage`, then throws
    /// ``BarometerError/cancelled(stage:completed:total:)`` if the current task was cancelled.
    /// Called with `completed == 0` before the first chunk so a cancelled task does no work.
    public static func step(_ stage: String, completed: Int, total: Int) throws(BarometerError) {
        if let h = handler { h(WorkProgress(stage: stage, completed: completed, total: total)) }
        if Task.isCancelled { throw .cancelled(stage: stage, completed: completed, total: total) }
    }

    /// Runs `body` (synchronous long work) in the calling task with `progress` receiving every
    /// step's ``WorkProgress``, in order (per stage `completed` never decreases and reaches `total`
    /// when the stage finishes). Cancelling the calling task stops `body` at its next step with
    /// ``BarometerError/cancelled(stage:completed:total:)``. `body` runs on the caller's thread
    /// (it blocks that executor while it computes; use `Task.detached` to keep an actor free).
    public static func run<T>(progress: @escaping @Sendable (WorkProgress) -> Void,
                              _ body: () throws(BarometerError) -> T) async throws(BarometerError) -> T {
        do {
            return try $handler.withValue(progress) { () throws -> T in try body() }
        } catch let e as BarometerError {
            throw e
        } catch {
            throw .invalidArgument("\(error)")
        }
    }
}
