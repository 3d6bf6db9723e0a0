"""Reading a photographed paper delivery note (随货同行联) into a DeliverySheet."""
