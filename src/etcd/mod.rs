//! The etcd driver: the /services layout (DESIGN §4); the only module that imports etcd_client.
