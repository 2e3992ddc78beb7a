//! halite-proto: Salt wire protocol: msgpack envelopes, crypto (RSA, Crypticle), auth messages. Pure, no I/O.
