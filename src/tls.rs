//! The one TLS crypto provider of the process: *ring*, shared by reqwest (Marathon, the engine's
//! HTTPS checks and fetches) and etcd-client's tonic, so the binary carries one crypto library.
//! A leaf: it imports nothing from the crate.

use std::sync::Once;

/// Installs *ring* as rustls's process-wide default provider (once; later calls do nothing).
/// Every place that builds a reqwest client calls this first.
pub fn install_crypto_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Err means another provider was installed first, which serves as well.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

#[cfg(test)]
mod tests {
    #[test]
    fn installing_twice_is_harmless() {
        super::install_crypto_provider();
        super::install_crypto_provider();
        assert!(rustls::crypto::CryptoProvider::get_default().is_some());
    }
}
