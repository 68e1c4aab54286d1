namespace round_robin {

struct Turn { const int* slice; };

Turn first_turn(int need) {
    int slice = need / 2;
    Turn t{&slice};   // points at a local that dies on return
    return t;
}

}  // namespace round_robin
