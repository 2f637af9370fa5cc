#!/usr/bin/env python3
# Diagnosis of per-example top-k + Adam on the image task (PyTorch 1.13 reference, masks the
# gradient of each hidden linear output to its top-k with a hook). Prints, every 100 steps, the loss,
# the mean norms of the hidden activations and logits, the weight norms and the active-ReLU fraction.
# Run: /usr/bin/python3 bench/diagnose_topk_adam.py   (needs python3-torch, dataset-fashion-mnist)
import gzip, numpy as np, torch, sys
torch.set_num_threads(1)
d='/usr/share/datasets/fashion-mnist/'
def imgs(f): b=gzip.open(d+f).read(); return np.frombuffer(b,np.uint8,offset=16).reshape(-1,784).astype(np.float32)/255
def labs(f): return np.frombuffer(gzip.open(d+f).read(),np.uint8,offset=8).astype(np.int64)
X=torch.tensor(imgs('train-images-idx3-ubyte.gz')[5000:10000]); Y=torch.tensor(labs('train-labels-idx1-ubyte.gz')[5000:10000])
def run(k, opt_name='adam', lr=1e-3, mask_layers=(1,2), dense_bias=False, steps=400):
    torch.manual_seed(1)
    l1=torch.nn.Linear(784,500); l2=torch.nn.Linear(500,500); l3=torch.nn.Linear(500,10)
    for l in (l1,l2,l3): torch.nn.init.xavier_uniform_(l.weight); torch.nn.init.zeros_(l.bias)
    params=list(l1.parameters())+list(l2.parameters())+list(l3.parameters())
    opt={'adam':lambda: torch.optim.Adam(params,lr=lr),'sgd':lambda: torch.optim.SGD(params,lr=lr),'adagrad':lambda: torch.optim.Adagrad(params,lr=lr)}[opt_name]()
    def mask(g):
        idx=g.abs().topk(k,dim=1).indices
        return g*torch.zeros_like(g).scatter_(1,idx,1.0)
    out=[]
    for s in range(steps):
        b=torch.randint(0,len(X),(10,))
        x=X[b]
        y1=x@l1.weight.t(); 
        if 1 in mask_layers: y1.register_hook(mask)
        h1=torch.relu(y1+l1.bias); y2=h1@l2.weight.t()
        if 2 in mask_layers: y2.register_hook(mask)
        h2=torch.relu(y2+l2.bias); z=l3(h2)
        loss=torch.nn.functional.cross_entropy(z,Y[b])
        opt.zero_grad(); loss.backward(); opt.step()
        if s%100==99: out.append(f"s{s+1}: loss {loss.item():.2f} |h1| {h1.norm(dim=1).mean():.1f} |h2| {h2.norm(dim=1).mean():.1f} |z| {z.norm(dim=1).mean():.1f} |W1| {l1.weight.norm():.1f} |W2| {l2.weight.norm():.1f} |W3| {l3.weight.norm():.1f} act1 {(h1>0).float().mean():.2f} act2 {(h2>0).float().mean():.2f}")
    return out
for name,kw in [("dense",dict(k=0,mask_layers=())),("topk20 both",dict(k=20)),("topk20 only L2",dict(k=20,mask_layers=(2,))),("topk20 only L1",dict(k=20,mask_layers=(1,))),("topk20 sgd",dict(k=20,opt_name='sgd',lr=0.1)),("topk20 adam lr1e-4",dict(k=20,lr=1e-4))]:
    print(name); [print("  ",l) for l in run(**kw)]
