import IntegrationSupport
import Kafka
import Settings
import Testing

@Suite struct KafkaConfigurationTests {
    @Test func environmentPropertiesBecomeLibrdkafkaProperties() throws {
        let configuration = try KafkaConfiguration.fromEnvironment([
            "KAFKA_BROKERS": "a:9092, b:9092",
            "KAFKA_PROP_SECURITY_PROTOCOL": "sasl_ssl",
            "KAFKA_PROP_SASL_PASSWORD": "hunter2",
            "UNRELATED": "x",
        ])
        #expect(configuration.brokers == ["a:9092", "b:9092"])
        #expect(configuration.properties == ["security.protocol": "sasl_ssl", "sasl.password": "hunter2"])
    }

    @Test func descriptionHidesSecretProperties() {
        let configuration = KafkaConfiguration(brokers: ["a:9092"], properties: ["sasl.password": "hunter2"])
        #expect(!configuration.description.contains("hunter2"))
        #expect(configuration.description.contains("sasl.password=****"))
    }

    @Test func missingBrokersNamesTheVariable() {
        #expect {
            try KafkaConfiguration.fromEnvironment([:])
        } throws: { error in
            (error as? SettingError)?.description == "KAFKA_BROKERS is not set"
        }
    }

    @Test func unknownPropertyIsRejectedByName() {
        let configuration = KafkaConfiguration(brokers: ["127.0.0.1:9092"], properties: ["no.such.property": "1"])
        #expect {
            try KafkaProducer(configuration: configuration, logger: TestEnvironment.logger)
        } throws: { error in
            guard let error = error as? KafkaError else { return false }
            return error.code == .invalidConfiguration && error.reason.contains("no.such.property")
        }
    }
}
