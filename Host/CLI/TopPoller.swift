import Foundation
import SluiceAdmin

/// One `GET /agents` of `sluice top`: the answer and when it was read, or the
/// one-line reason it could not be.
struct TopPoller: Sendable {
    /// A successful poll.
    struct Sample: Sendable {
        /// The answer.
        var report: AgentsReport
        /// When it arrived, for the rates (monotonic).
        var instant: ContinuousClock.Instant
        /// When it arrived, for the screen and the plain lines.
        var time: Date
    }

    let client: AdminClient

    /// Reads the agents once; a failure is the operator's line (it names the address and where it came from).
    func poll() async -> Result<Sample, PollFailure> {
        do {
            let body = try await client.get("/agents")
            do {
                let report = try JSONDecoder().decode(AgentsReport.self, from: body)
                return .success(Sample(report: report, instant: .now, time: Date()))
            } catch {
                return .failure(PollFailure(description: AdminClientError.malformedResponse("GET /agents: \(error)").description))
            }
        } catch {
            return .failure(PollFailure(description: error.description))
        }
    }

    /// Why a poll failed, as one line.
    struct PollFailure: Error, Sendable, CustomStringConvertible {
        let description: String
    }
}

extension TopFigures {
    /// The figures of `sample`, with rates since `previous` when there is one.
    init(_ sample: TopPoller.Sample, previous: TopPoller.Sample?) {
        let elapsed = previous.map { sample.instant - $0.instant }
        let seconds = elapsed.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 } ?? 0
        self.init(current: sample.report, previous: previous?.report, elapsedSeconds: seconds)
    }
}
