#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where ``CSVReader`` gets bytes from, one chunk at a time.
protocol ByteSource {
    /// Reads up to `count` bytes into `buffer`; 0 means end of input.
    mutating func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws(CSVError) -> Int
    /// Total size in bytes, when known (used only to pre-size the columns).
    var sizeHint: Int? { get }
}

/// A file read with `read(2)` in chunks: the path for input that cannot be
/// mapped (``MappedFile``), such as a pipe; never loaded whole.
final class FileByteSource: ByteSource {
    private let fd: Int32
    private let path: String

    init(path: String) throws(CSVError) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { throw .fileNotFound(path: path) }
            throw .unreadable(path: path, reason: String(cString: strerror(code)))
        }
        self.fd = fd
        self.path = path
    }

    deinit { close(fd) }

    var sizeHint: Int? {
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_size > 0 else { return nil }
        return Int(st.st_size)
    }

    func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws(CSVError) -> Int {
        while true {
            #if canImport(Glibc)
            let n = Glibc.read(fd, buffer, count)
            #else
            let n = Darwin.read(fd, buffer, count)
            #endif
            if n >= 0 { return n }
            let code = errno
            if code == EINTR { continue }
            throw .unreadable(path: path, reason: String(cString: strerror(code)))
        }
    }
}

/// Bytes already in memory, handed out in chunks like a file.
struct MemoryByteSource: ByteSource {
    let bytes: [UInt8]
    var offset = 0
    var sizeHint: Int? { bytes.count }

    mutating func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws(CSVError) -> Int {
        let n = min(count, bytes.count - offset)
        if n <= 0 { return 0 }
        bytes.withUnsafeBufferPointer { b in
            if let base = b.baseAddress { buffer.update(from: base + offset, count: n) }
        }
        offset += n
        return n
    }
}
