//! Where an answer's body goes while it arrives: kept whole, or handed chunk by chunk to a
//! parser that keeps only what it needs ([`crate::marathon::summary::AppsStream`]), so a large
//! `/v2/apps` answer is never held in memory at once.

/// A consumer of a body that arrives in chunks.
pub(crate) trait BodySink {
    /// What the body turns into.
    type Output;
    /// What the caller gives every sink made for its request (one per attempt).
    type Seed;
    /// A sink for a body of about `expected` bytes (from `Content-Length`; 0 when unknown).
    fn new(seed: &Self::Seed, expected: usize) -> Self;
    /// Takes the next chunk.
    fn feed(&mut self, chunk: &[u8]);
    /// The body's value, once every chunk was fed.
    fn finish(self) -> Self::Output;
}

/// The largest body size taken from `Content-Length` to size a buffer up front.
const MAX_PREALLOCATED_BODY: usize = 256 << 20;

/// The whole body in one buffer sized from `Content-Length`: `Response::bytes` gathers the
/// chunks and then copies them into a buffer of their own, which for a 7 MB `/v2/apps` answer
/// cost a copy and a page fault per page more than this.
pub(crate) struct Whole(Vec<u8>);

impl BodySink for Whole {
    type Output = bytes::Bytes;
    type Seed = ();

    fn new((): &(), expected: usize) -> Self {
        Whole(Vec::with_capacity(expected.min(MAX_PREALLOCATED_BODY)))
    }

    fn feed(&mut self, chunk: &[u8]) {
        self.0.extend_from_slice(chunk);
    }

    fn finish(self) -> bytes::Bytes {
        self.0.into()
    }
}

/// Feeds every chunk of `resp` into a new `S` made from `seed`.
pub(crate) async fn read_into<S: BodySink>(
    mut resp: reqwest::Response,
    seed: &S::Seed,
) -> Result<S::Output, reqwest::Error> {
    let expected = resp.content_length().and_then(|n| usize::try_from(n).ok()).unwrap_or(0);
    let mut sink = S::new(seed, expected);
    while let Some(chunk) = resp.chunk().await? {
        sink.feed(&chunk);
        // While the server sends faster than the sink parses, every chunk is ready at once and
        // this loop would never give way: the futures joined beside it (view's registration
        // counts, on the same thread) would wait for the whole body. One yield per chunk lets
        // them send and read in between.
        tokio::task::yield_now().await;
    }
    Ok(sink.finish())
}
