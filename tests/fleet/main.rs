//! halite-ctl end to end: the real `halite-ctl` binary against a real
//! salt-master 3008.4 and salt-api (rest_cherrypy, sharedsecret eauth) on
//! 127.0.0.1, with a fleet of real `halite minion` processes (3 racks x 4
//! nodes, each its own root_dir, grains and recording fake of rpm-ostree;
//! a fake reboot restarts the minion, as a machine would).

mod fleet;
mod render;
mod rollout;
