import CReadStat
import Foundation

/// A file held in memory, handed to ReadStat through its custom I/O
/// handlers (`readstat_set_open_handler` … `readstat_set_io_ctx`): the
/// parsers read from the bytes instead of a file descriptor. One per parse;
/// never shared between threads.
final class ReadStatMemoryIO {
    let bytes: [UInt8]
    var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Installs the handlers and this object as the I/O context of `parser`
    /// (which must not outlive it: the caller keeps it alive for the parse).
    func install(on parser: UnsafeMutablePointer<readstat_parser_t>) {
        readstat_set_open_handler(parser) { _, ctx in
            guard let ctx else { return -1 }
            Unmanaged<ReadStatMemoryIO>.fromOpaque(ctx).takeUnretainedValue().position = 0
            return 0
        }
        readstat_set_close_handler(parser) { _ in 0 }
        readstat_set_seek_handler(parser) { offset, whence, ctx in
            guard let ctx else { return -1 }
            let io = Unmanaged<ReadStatMemoryIO>.fromOpaque(ctx).takeUnretainedValue()
            let base: Int
            switch whence {
            case READSTAT_SEEK_SET: base = 0
            case READSTAT_SEEK_CUR: base = io.position
            case READSTAT_SEEK_END: base = io.bytes.count
            default: return -1
            }
            let (target, overflow) = base.addingReportingOverflow(Int(offset))
            // As lseek(2): a position past the end is allowed (a read there returns 0 bytes).
            guard !overflow, target >= 0 else { return -1 }
            io.position = target
            return readstat_off_t(target)
        }
        readstat_set_read_handler(parser) { buffer, count, ctx in
            guard let ctx else { return -1 }
            let io = Unmanaged<ReadStatMemoryIO>.fromOpaque(ctx).takeUnretainedValue()
            let n = min(count, max(io.bytes.count - io.position, 0))
            guard n > 0 else { return 0 }
            if let buffer {
                io.bytes.withUnsafeBytes { src in
                    if let s = src.baseAddress { buffer.copyMemory(from: s + io.position, byteCount: n) }
                }
            }
            io.position += n
            return n
        }
        readstat_set_update_handler(parser) { _, _, _, _ in READSTAT_OK }
        readstat_set_io_ctx(parser, Unmanaged.passUnretained(self).toOpaque())
    }
}
