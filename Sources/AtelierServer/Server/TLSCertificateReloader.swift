import Logging
import ServiceLifecycle
import UnixSignals

/// Re-reads the server's certificate and key on SIGHUP, and when their files change (checked every `interval`),
/// so that a renewed certificate is served without a restart and without dropping a connection.
struct TLSCertificateReloader: Service {
    let certificates: TLSCertificates
    let interval: Duration
    let logger: Logger

    func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        await withDiscardingTaskGroup { group in
            group.addTask {
                await cancelWhenGracefulShutdown {
                    for await _ in hangups { reload(because: "SIGHUP") }
                }
            }
            group.addTask {
                await cancelWhenGracefulShutdown {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: interval)
                        if !Task.isCancelled, certificates.filesChanged { reload(because: "the files changed") }
                    }
                }
            }
        }
    }

    private func reload(because reason: String) {
        do {
            try certificates.reload()
            logger.notice("TLS certificate loaded", metadata: ["reason": .string(reason), "serial": .string(certificates.serial)])
        } catch {
            // The certificate in use stays; the next change or SIGHUP tries again.
            logger.error("TLS certificate not reloaded; the previous one stays in use",
                         metadata: ["reason": .string(reason), "error": .string("\(error)")])
        }
    }
}
