"""`python -m groupket.orders.sandbox_gateway`: the sandbox payment gateway (groupket.orders.gateway.sandbox)."""

from groupket.orders.gateway.sandbox import main

if __name__ == "__main__":
    main()
