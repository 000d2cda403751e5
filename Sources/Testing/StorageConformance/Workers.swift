import StorageCore

extension StorageConformance {
    /// Workers say they are alive; each is listed with the tasks it runs
    /// (named `<worker>/<slot>`), until it stops or is not seen for a while.
    public func testWorkerRegistry() async throws {
        try await withStorage { storage, clock in
            let render = WorkerRecord(
                workerID: "host-a-1", host: "host-a", kinds: [.render, .youtubeUpload], version: "1")
            let other = WorkerRecord(workerID: "host-a-12", host: "host-a", kinds: [.render], version: "1")
            try expectEqual(try await storage.workers(seenWithin: .seconds(60)).count, 0, "none at first")
            try await storage.recordWorker(render)
            try await storage.recordWorker(other)
            let started = try await storage.workers(seenWithin: .seconds(60))[0].startedAt
            clock.advance(seconds: 20)
            try await storage.recordWorker(render)

            let job = try await storage.createJob(NewJob(config: nil, runsDirectory: runs, status: .queued))
            _ = try unwrap(try await storage.claimJob(worker: "host-a-1/0", lease: Self.lease), "claim")
            let listed = try await storage.workers(seenWithin: .seconds(60))
            try expectEqual(listed.map(\.record), [render, other], "both, by id")
            try expectEqual(listed[0].startedAt, started, "a heartbeat keeps the start")
            try expect(listed[0].seenAt > listed[1].seenAt, "and moves the last sighting")
            try expectEqual(listed[0].running.map(\.jobID), [job.jobID], "its slot's task")
            try expectEqual(listed[0].running.first?.kind, .render, "a render")
            try expectEqual(listed[1].running.count, 0, "host-a-12 is not host-a-1's slot")

            clock.advance(seconds: 50)
            try expectEqual(
                try await storage.workers(seenWithin: .seconds(60)).map(\.record.workerID), ["host-a-1"],
                "one not seen for a minute is forgotten")
            try await storage.recordWorker(other)
            clock.advance(seconds: 86_401)
            try await storage.recordWorker(render)
            try expectEqual(
                try await storage.workers(seenWithin: .seconds(86_400 * 2)).map(\.record.workerID), ["host-a-1"],
                "a heartbeat forgets the workers silent for a day")
            try await storage.forgetWorker("host-a-1")
            try expectEqual(try await storage.workers(seenWithin: .seconds(60)).count, 0, "a stopped one goes")
            try await expectError(.invalidInput, "an empty id") {
                try await storage.recordWorker(WorkerRecord(workerID: "", host: "h", kinds: [], version: "1"))
            }
        }
    }
}
