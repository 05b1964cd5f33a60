import Foundation
import IntegrationSupport
import Store
import Testing

@testable import WorkerRuntime

@Suite struct RetentionTests {
    @Test func aSweepPrunesWhatIsOlderThanTheWindowAndNothingNewer() async throws {
        try await WorkerHarness.with { harness in
            let other = TestEnvironment.uniqueName("other")
            try await harness.pool.withConnection { connection in
                // Inbox: this stage's events applied 10 and 2 days ago; another stage's, 10 days ago.
                try connection.execute(
                    """
                    INSERT INTO inbox_event (consumer, event_id, topic, kafka_partition, kafka_offset, applied_at)
                    VALUES (\(harness.service), 'old', 't', 0, 0, now() - interval '10 days'),
                           (\(harness.service), 'recent', 't', 0, 1, now() - interval '2 days'),
                           (\(other), 'old', 't', 0, 0, now() - interval '10 days')
                    """)
                // Outbox: published 10 and 2 days ago, one never published, and another stage's.
                try connection.execute(
                    """
                    INSERT INTO outbox_event (stage, topic, payload, created_at, published_at)
                    VALUES (\(harness.service), 'published-long-ago', '\\x00', now() - interval '10 days', now() - interval '10 days'),
                           (\(harness.service), 'published-lately', '\\x00', now() - interval '2 days', now() - interval '2 days'),
                           (\(harness.service), 'never-published', '\\x00', now() - interval '10 days', NULL),
                           (\(other), 'theirs', '\\x00', now() - interval '10 days', now() - interval '10 days')
                    """)
                // Dead letters: set aside 40 and 20 days ago, and another stage's 40 days ago.
                try connection.execute(
                    """
                    INSERT INTO dead_letter (service, source_topic, source_partition, source_offset, reason, payload, headers, dead_lettered_at)
                    VALUES (\(harness.service), 'expired', 0, 0, 'r', '\\x00', '[]', now() - interval '40 days'),
                           (\(harness.service), 'kept', 0, 1, 'r', '\\x00', '[]', now() - interval '20 days'),
                           (\(other), 'theirs', 0, 0, 'r', '\\x00', '[]', now() - interval '40 days')
                    """)
            }
            let sweeper = RetentionSweeper(
                configuration: WorkerConfiguration(
                    serviceName: harness.service, topics: [], retention: .seconds(7 * 24 * 3600), deadLetterRetention: .seconds(30 * 24 * 3600)),
                postgres: harness.pool.configuration, logger: TestEnvironment.logger, registry: .init())
            try await sweeper.sweep()

            let inbox = try await harness.pool.withConnection {
                try $0.query("SELECT consumer || '/' || event_id FROM inbox_event ORDER BY 1").decode(String.self)
            }
            #expect(inbox == ["\(other)/old", "\(harness.service)/recent"].sorted())
            let outbox = try await harness.pool.withConnection {
                try $0.query("SELECT topic FROM outbox_event ORDER BY 1").decode(String.self)
            }
            #expect(outbox == ["never-published", "published-lately", "theirs"])
            let deadLetters = try await harness.pool.withConnection {
                try $0.query("SELECT source_topic FROM dead_letter ORDER BY 1").decode(String.self)
            }
            #expect(deadLetters == ["kept", "theirs"])
        }
    }
}
