"""A real kube-apiserver + etcd for tests: build.sh builds them, apiserver.py runs them."""
