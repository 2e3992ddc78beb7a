//! halite-transport: ZeroMQ request/publish channels to a salt-master, authentication and reconnects.
