#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A regular file mapped read-only into memory (`mmap(2)`), so that
/// `CSVPieces` can hand byte ranges of it to several threads without
/// copying. The pages come from the kernel's page cache; nothing is
/// allocated for them.
///
/// Only non-empty regular files are mapped; anything else (a pipe, a
/// directory, an empty file, a failed `mmap`) gives `nil` and the caller
/// reads the file with `read(2)` instead (``FileByteSource``). As with any
/// mapping, truncating the file while it is being read is undefined
/// (the process may receive `SIGBUS`).
///
/// ``release(upTo:)`` gives back the pages already parsed, so the process's
/// resident memory stays near the columns plus a few pieces instead of
/// growing by the whole file. It is called by one thread at a time (the one
/// whose merge turn it is, see `CSVPieces`), hence `@unchecked Sendable`.
final class MappedFile: @unchecked Sendable {
    let bytes: UnsafePointer<UInt8>
    let count: Int
    /// Bytes before this offset have been given back.
    private var released = 0
    /// Pages are given back in steps of at least this many bytes.
    let releaseStep: Int

    /// Maps `path`; `nil` when it is not a non-empty regular file or cannot be mapped.
    /// - Throws: ``CSVError/fileNotFound(path:)`` when it does not exist,
    ///   ``CSVError/unreadable(path:reason:)`` when it cannot be opened.
    init?(path: String, releaseStep: Int = 16 << 20) throws(CSVError) {
        self.releaseStep = max(releaseStep, 1)
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { throw .fileNotFound(path: path) }
            throw .unreadable(path: path, reason: String(cString: strerror(code)))
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_size > 0,
              let size = Int(exactly: st.st_size) else { return nil }
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else { return nil }
        bytes = UnsafePointer(p.assumingMemoryBound(to: UInt8.self))
        count = size
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: bytes), count) }

    /// Drops the pages wholly before `offset` from this mapping, in steps of
    /// at least ``releaseStep`` bytes (`madvise(MADV_DONTNEED)`). The mapping is private and
    /// never written, so a page touched again is read back from the file (the
    /// page cache): this changes memory use, never the bytes seen.
    func release(upTo offset: Int) {
        let page = max(Int(sysconf(Int32(_SC_PAGESIZE))), 1)
        let end = min(offset, count) / page * page
        guard end - released >= releaseStep else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: bytes + released), end - released, MADV_DONTNEED)
        released = end
    }
}
