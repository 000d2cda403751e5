import Foundation
import StorageCore
import Testing

@testable import HTTPServer

/// `eta_seconds`: the time a job has left at the pace it has kept, beside
/// `progress`; earlier clients ignore it.
@Suite(.timeLimit(.minutes(2))) struct JobETATests {
    @Test func theEstimateFollowsThePaceSoFar() {
        let started = Timestamp(microsecondsSinceEpoch: 1_000_000_000_000)
        var job = Job(
            jobID: 1, runID: "run-1", runDirectory: "runs/run-1", status: .running, progress: 25, currentStep: nil,
            configText: nil, outputFile: nil, error: nil, createdAt: started, startedAt: started, finishedAt: nil)
        #expect(JobObject.etaSeconds(job, now: started.adding(seconds: 60)) == 180)
        job.progress = 0
        #expect(JobObject.etaSeconds(job, now: started.adding(seconds: 60)) == nil)
        job.progress = 99
        #expect(JobObject.etaSeconds(job, now: started.adding(seconds: 99)) == 1)
        job.status = .completed
        #expect(JobObject.etaSeconds(job, now: started) == 0)
        job.status = .queued
        #expect(JobObject.etaSeconds(job, now: started) == nil)
    }

    @Test func elapsedIsTheServersSinceTheStartOrTheRendersLength() {
        let started = Timestamp(microsecondsSinceEpoch: 1_000_000_000_000)
        var job = Job(
            jobID: 1, runID: "run-1", runDirectory: "runs/run-1", status: .running, progress: 25, currentStep: nil,
            configText: nil, outputFile: nil, error: nil, createdAt: started, startedAt: started, finishedAt: nil)
        #expect(JobObject.elapsedSeconds(job, now: started.adding(seconds: 61.5)) == 61)
        job.status = .completed
        job.finishedAt = started.adding(seconds: 90)
        #expect(JobObject.elapsedSeconds(job, now: started.adding(seconds: 500)) == 90)
        job.startedAt = nil
        #expect(JobObject.elapsedSeconds(job, now: started) == nil, "never started")
    }

    @Test(arguments: Backend.allCases) func aRunningJobShowsItsTimeRemaining(_ backend: Backend) async throws {
        try await TestAPI.with(backend) { client, api in
            try api.addSharedClip()
            let created = try object(try await client.json(.post, "/api/jobs"))
            let id = try #require(created["job_id"]?.int)
            #expect(try object(try await client.json(.get, "/api/jobs/\(id)"))["eta_seconds"] == .null)
            let claimed = try #require(try await api.storage.claimJob(worker: "w-1", lease: .seconds(60)))
            _ = try await api.storage.reportProgress(claimed.claim, progress: 20, step: "Rendering")
            try await Task.sleep(for: .milliseconds(1_200))
            let running = try object(try await client.json(.get, "/api/jobs/\(id)"))
            // 20 % in at least 1.2 s: at least 4.8 s left at that pace.
            let eta = try #require(running["eta_seconds"]?.int, "\(running)")
            #expect((4...120).contains(eta), "\(running)")
            let listed = try object(try await client.json(.get, "/api/jobs"))["jobs"]?.array?.first?.object
            #expect(listed?["eta_seconds"]?.int != nil)
            _ = try await api.storage.finishJob(claimed.claim, .completed(outputFile: nil))
            #expect(try object(try await client.json(.get, "/api/jobs/\(id)"))["eta_seconds"] == .int(0))
        }
    }
}
