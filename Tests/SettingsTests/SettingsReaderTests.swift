import Settings
import Testing
import Vocabulary

@Suite struct SettingsReaderTests {
    static let pool = ServiceSettings.databasePoolSize

    @Test func anOptionBeatsTheVariableWhichBeatsTheDefault() throws {
        let settings = SettingsReader(environment: ["DATABASE_POOL_SIZE": "12"])
        #expect(try settings.value(Self.pool, option: "3") == 3)
        #expect(try settings.value(Self.pool) == 12)
        #expect(try SettingsReader(environment: [:]).value(Self.pool) == 10)
    }

    @Test func aMissingRequiredSettingIsNamed() {
        #expect { try SettingsReader(environment: [:]).value(ServiceSettings.databaseURL) } throws: {
            "\($0)" == "DATABASE_URL is not set"
        }
    }

    /// Never the default in its place: an operator's typo stops the process.
    @Test func aMalformedValueIsRefusedByNameWithoutRepeatingIt() {
        #expect { try SettingsReader(environment: ["DATABASE_POOL_SIZE": "1O"]).value(Self.pool) } throws: {
            "\($0)" == "DATABASE_POOL_SIZE must be a positive whole number"
        }
        #expect { try SettingsReader(environment: ["AS_OF_DATE": "2013-02-30"]).value(ServiceSettings.asOfDate) } throws: {
            "\($0)" == "AS_OF_DATE must be a date of the form YYYY-MM-DD"
        }
        #expect { try SettingsReader(environment: [:]).value(ServiceSettings.httpPort, option: "70000") } throws: {
            "\($0)" == "--http-port (WORKER_HTTP_PORT) must be a port number (0-65535)"
        }
    }

    @Test func wordsAreReadInAnyCaseAndDatesAsDates() throws {
        let settings = SettingsReader(environment: ["LOG_LEVEL": "DEBUG", "AS_OF_DATE": "2013-09-01"])
        #expect(try settings.value(ServiceSettings.logLevel) == "debug")
        #expect(try settings.value(ServiceSettings.asOfDate) == CalendarDate(iso: "2013-09-01"))
        #expect(try SettingsReader(environment: [:]).value(ServiceSettings.asOfDate) == nil)
    }

    @Test func aFamilyIsReadByTheNamesAfterItsPrefix() {
        let settings = SettingsReader(environment: ["KAFKA_PROP_SECURITY_PROTOCOL": "ssl", "KAFKA_BROKERS": "b:9092"])
        #expect(settings.values(of: ServiceSettings.kafkaProperties) == ["SECURITY_PROTOCOL": "ssl"])
    }

    @Test func helpSaysTheVariableAndTheDefault() {
        #expect(ServiceSettings.batchSize.help == "Messages applied in one transaction. Env WORKER_BATCH_SIZE; default 500.")
        #expect(ServiceSettings.kafkaBrokers.help == "Comma-separated bootstrap brokers, `host:port`. Env KAFKA_BROKERS; required.")
    }
}
